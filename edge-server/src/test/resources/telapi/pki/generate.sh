#!/bin/sh
# Regenerates the private test PKI of MediaCacheTlsTest with the JDK's keytool (no other tool needed):
# a test CA, a media-host certificate it signs (localhost, 127.0.0.1), and an unrelated CA.
set -eu
cd "$(dirname "$0")"
rm -f *.p12 *.pem *.csr
P=changeit
kt() { keytool -noprompt -storepass $P -keypass $P "$@"; }
kt -genkeypair -alias ca -keyalg EC -groupname secp256r1 -dname "CN=Edgeplane Test Media CA" -validity 36500 \
   -ext bc:c -keystore ca.p12 -storetype PKCS12
kt -exportcert -rfc -alias ca -keystore ca.p12 -file media-ca.pem
kt -genkeypair -alias other -keyalg EC -groupname secp256r1 -dname "CN=Some Other CA" -validity 36500 \
   -ext bc:c -keystore other.p12 -storetype PKCS12
kt -exportcert -rfc -alias other -keystore other.p12 -file other-ca.pem
kt -genkeypair -alias media -keyalg EC -groupname secp256r1 -dname "CN=media.test" -validity 36500 \
   -keystore media-host.p12 -storetype PKCS12
kt -certreq -alias media -keystore media-host.p12 -file media.csr
kt -gencert -alias ca -keystore ca.p12 -infile media.csr -outfile media.pem -validity 36500 -rfc \
   -ext san=dns:localhost,ip:127.0.0.1 -ext eku=serverAuth
kt -importcert -alias ca -keystore media-host.p12 -file media-ca.pem
kt -importcert -alias media -keystore media-host.p12 -file media.pem
# A self-signed host certificate: what a media host without a CA looks like.
kt -genkeypair -alias self -keyalg EC -groupname secp256r1 -dname "CN=self-signed.media.test" -validity 36500 \
   -ext san=dns:localhost,ip:127.0.0.1 -keystore self-signed-host.p12 -storetype PKCS12
rm -f media.csr media.pem ca.p12 other.p12
