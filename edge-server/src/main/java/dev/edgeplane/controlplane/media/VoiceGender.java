package dev.edgeplane.controlplane.media;

import java.util.Locale;

/** The voice a prompt is spoken in, as named on the wire ({@code ?gender=male|female}) and in keys. */
public enum VoiceGender
{
    MALE,
    FEMALE;

    /** @return the wire and key name: {@code male} or {@code female}. */
    public String wireName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the gender for a wire name (exact, lowercase), or null. */
    public static VoiceGender byWireName(final String name)
    {
        if ("male".equals(name))
        {
            return MALE;
        }
        if ("female".equals(name))
        {
            return FEMALE;
        }
        return null;
    }
}
