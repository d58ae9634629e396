// Generates the TelAPI web-user token vectors with the real packages TelWeb uses:
// next-auth v4 (its own next-auth/jwt encode: JWE dir + A256GCM, HKDF-SHA256 key) and jose (HS256).
// Run: npm ci && node gen-vectors.mjs > vectors.json   (CI only reads vectors.json)
import { encode } from "next-auth/jwt";
import { SignJWT } from "jose";
import hkdf from "@panva/hkdf";
import { readFileSync } from "node:fs";

const secret = "telweb-nextauth-secret-3Jk9vQ2mX7pL0sR4tY8wZ1cB5nH6fD";
const otherSecret = "a-drifted-secret-that-telapi-does-not-know-9f8e7d6c5b";
const tenYears = 10 * 365 * 24 * 3600;
const user = { sub: "user-42", name: "Ada Agent", email: "ada@example.com" };
const key = new TextEncoder().encode(secret);
const otherKey = new TextEncoder().encode(otherSecret);
const now = Math.floor(Date.now() / 1000);

const hs = (payload, k, exp) => new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setIssuedAt().setExpirationTime(exp).sign(k);

const hsValid = await hs({ ...user, sub: "user-7", email: "sam@example.com" }, key, now + tenYears);
const [h, p, s] = hsValid.split(".");
const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url")), sub: "admin" })).toString("base64url");
const noneHeader = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");

const derived = await hkdf("sha256", secret, "", "NextAuth.js Generated Encryption Key", 32);
const pkg = (name) => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version;

const vectors = {
  generatedBy: { "next-auth": pkg("next-auth"), jose: pkg("jose"), node: process.version },
  secret,
  otherSecret,
  nextAuthDerivedKeyHex: Buffer.from(derived).toString("hex"),
  nextAuth: {
    valid: await encode({ token: user, secret, maxAge: tenYears }),
    wrongSecret: await encode({ token: user, secret: otherSecret, maxAge: tenYears }),
    expired: await encode({ token: user, secret, maxAge: -3600 }),
  },
  hs256: {
    valid: hsValid,
    wrongSecret: await hs({ ...user, sub: "user-7" }, otherKey, now + tenYears),
    expired: await hs({ ...user, sub: "user-7" }, key, now - 3600),
    tampered: `${h}.${forgedPayload}.${s}`,
    algNone: `${noneHeader}.${p}.`,
  },
};
console.log(JSON.stringify(vectors, null, 2));
