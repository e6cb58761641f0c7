package dev.brook.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Flushes made by one batch of event-loop work reach the socket as one (docs/LOG.md, "Fan-out"). */
class Http2FlushesTest {

    /** Counts the flushes that get past the handlers after it, as the socket would see them. */
    static final class SocketFlushes extends ChannelOutboundHandlerAdapter {
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes.incrementAndGet();
            ctx.flush();
        }
    }

    @Test
    void aHundredWritesFlushedOneByOneInOneTaskReachTheSocketAsOneFlush() throws Exception {
        DefaultEventLoopGroup loop = new DefaultEventLoopGroup(1);
        try {
            List<Integer> received = new ArrayList<>();
            CountDownLatch all = new CountDownLatch(100);
            LocalAddress address = new LocalAddress("http2-flushes-" + System.nanoTime());
            new ServerBootstrap().group(loop).channel(LocalServerChannel.class).childHandler(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    while (b.isReadable()) {
                        received.add((int) b.readByte());
                        all.countDown();
                    }
                    b.release();
                }
            }).bind(address).sync();
            Channel channel = new Bootstrap().group(loop).channel(LocalChannel.class).handler(new ChannelOutboundHandlerAdapter()) // stands for the HTTP/2 codec
                    .connect(address).sync().channel();
            SocketFlushes socket = new SocketFlushes();
            channel.eventLoop().submit(() -> {
                Http2Flushes.install(channel.pipeline());
                Http2Flushes.install(channel.pipeline()); // every request of the connection asks; one handler
                assertEquals(Http2Flushes.HANDLER, channel.pipeline().names().get(0), "next to the socket, before the HTTP/2 codec");
                channel.pipeline().addFirst(socket); // what the socket sees: the flushes that got past it
            }).sync();
            assertEquals(4, channel.pipeline().names().size(), "the counter, the handler once, the codec, the tail");
            channel.eventLoop().submit(() -> {
                for (int i = 0; i < 100; i++) {
                    channel.pipeline().writeAndFlush(Unpooled.wrappedBuffer(new byte[]{(byte) i})); // as Vert.x flushes each DATA frame
                }
            }).sync();
            channel.eventLoop().submit(() -> {}).sync(); // after the flush the batch scheduled behind itself
            assertEquals(1, socket.flushes.get(), "one flush for the whole batch");
            assertTrue(all.await(30, TimeUnit.SECONDS), "every write arrived");
            for (int i = 0; i < 100; i++) {
                assertEquals(i, received.get(i), "in order");
            }
        } finally {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}
