package dev.edgeplane.persistence.config;

/**
 * A SIP device of an account: the digest credentials {@code POST /auth} checks and the extension {@code POST /route}
 * reaches. Passwords are never stored: a configuration document's {@code password} is turned into both HA1 values at
 * import (RFC 2617 / RFC 7616 HA1 = H(username:realm:password), realm = the account's domain).
 *
 * <p>The HA1 values are as good as the password for signing in as this device: never log them (this record's
 * {@link #toString()} leaves them out).
 *
 * <p>Immutable and thread-safe.
 *
 * @param id        device id, e.g. {@code dev_…}; unique across all accounts.
 * @param username  digest username and extension, unique within the account.
 * @param ha1Md5    HA1 for {@code algorithm=MD5} as 32 hex digits, or null.
 * @param ha1Sha256 HA1 for {@code algorithm=SHA-256} as 64 hex digits, or null.
 * @param enabled   false to refuse the device's registrations and calls while keeping its configuration.
 */
public record DeviceConfig(String id, String username, String ha1Md5, String ha1Sha256, boolean enabled)
{
    @Override
    public String toString()
    {
        return "DeviceConfig[id=" + id + ", username=" + username + ", ha1Md5=" + (null == ha1Md5 ? "null" : "***") +
            ", ha1Sha256=" + (null == ha1Sha256 ? "null" : "***") + ", enabled=" + enabled + ']';
    }
}
