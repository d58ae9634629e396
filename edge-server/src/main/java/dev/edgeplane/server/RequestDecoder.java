package dev.edgeplane.server;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's HTTP/1.1 request decoder, refusing a request that carries both {@code Content-Length} and
 * {@code Transfer-Encoding: chunked}: RFC 9112 §6.1 lets a server reject it, and we do, because two
 * parties that frame it differently is how requests are smuggled. The request's decoder result
 * becomes a {@link LengthAndChunked} failure, which the connection answers {@code 400} and closes.
 *
 * <p>Not thread-safe: one per connection, on its event loop.
 */
final class RequestDecoder extends HttpRequestDecoder
{
    RequestDecoder(final HttpDecoderConfig config)
    {
        super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(final HttpMessage message)
    {
        super.handleTransferEncodingChunkedWithContentLength(message);
        message.setDecoderResult(DecoderResult.failure(new LengthAndChunked()));
    }

    /** A request framed both by {@code Content-Length} and by chunked transfer coding. */
    static final class LengthAndChunked extends DecoderException
    {
        private static final long serialVersionUID = 1L;

        LengthAndChunked()
        {
            super("Content-Length and Transfer-Encoding: chunked together");
        }
    }
}
