package dev.edgeplane.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The Netty transport: native epoll where available (Linux), NIO otherwise or when asked.
 *
 * @param name          "epoll" or "nio", for logs and health.
 * @param ioHandler     the event loops' I/O handler factory.
 * @param serverChannel the server socket channel class.
 */
public record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverChannel)
{
    /**
     * @param choice "auto", "epoll" or "nio" ({@code EDGEPLANE_TRANSPORT}).
     */
    public static Transport select(final String choice)
    {
        if (!"nio".equals(choice) && Epoll.isAvailable())
        {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
        }
        if ("epoll".equals(choice))
        {
            throw new IllegalStateException("EDGEPLANE_TRANSPORT=epoll but native epoll is unavailable: "
                + Epoll.unavailabilityCause());
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    public EventLoopGroup newGroup(final int threads, final String threadPrefix)
    {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true), ioHandler);
    }
}
