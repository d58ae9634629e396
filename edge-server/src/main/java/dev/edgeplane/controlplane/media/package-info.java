/**
 * Media object storage and system-prompt synthesis for the control plane (seed 001 "Media &amp; TTS",
 * docs/SPEC-control-plane.md "Media and TTS"): {@code GET|PUT /media/{key}} gated by media-node CIDRs,
 * and {@code POST /admin/tts/generate} gated by the admin token.
 *
 * <p>{@link dev.edgeplane.controlplane.media.MediaStore} is the storage contract;
 * {@link dev.edgeplane.controlplane.media.LocalMediaStore} keeps objects as files under
 * {@code <data dir>/media} and publishes an upload with one atomic rename, so no half-written object
 * is ever served. {@link dev.edgeplane.controlplane.media.TtsEngine} is the pluggable synthesizer
 * (espeak-ng where installed, an HTTP provider otherwise).
 */
package dev.edgeplane.controlplane.media;
