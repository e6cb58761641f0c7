package dev.brook.cli;

import dev.brook.core.AppendRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code append}: one record per input line, batched for {@code --linger} within S2's caps (1000
 * records, 1 MiB metered) and sent through an {@link AppendSession}; each ack on stderr as S2 prints
 * it. At most {@link #INFLIGHT_BYTES_MAX} metered bytes are read and not yet acknowledged: past that
 * the input is not read (backpressure), so {@code tail -f FILE | brook append} follows the server's
 * pace (docs/CLI.md, "Append sessions").
 */
@Command(name = "append", mixinStandardHelpOptions = true, description = "Append records to a stream.")
final class AppendCommand implements Callable<Integer> {

    static final int BATCH_RECORDS_MAX = 1000;
    static final long BATCH_BYTES_MAX = 1 << 20;
    static final int INFLIGHT_BYTES_MAX = 5 << 20;

    @ParentCommand
    BrookCli root;

    @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = StreamCommands.URI_HELP)
    Uri.Parsed uri;

    @Option(names = {"-f", "--fencing-token"}, paramLabel = "<FENCING_TOKEN>", description = "Enforce fencing token.")
    String fencingToken;

    @Option(names = {"-m", "--match-seq-num"}, paramLabel = "<MATCH_SEQ_NUM>",
            description = "Enforce that the sequence number issued to the first record matches.")
    Long matchSeqNum;

    @Option(names = "--format", paramLabel = "<FORMAT>", converter = Args.FormatConverter.class, defaultValue = "text",
            description = "Input format. [default: text] [possible values: text, json, json-base64]")
    Formats.RecordFormat format;

    @Option(names = {"-i", "--input"}, paramLabel = "<INPUT>", defaultValue = "-",
            description = "Input newline delimited records to append from a file or stdin. Use \"-\" to read from stdin. [default: -]")
    String input;

    @Option(names = "--linger", paramLabel = "<LINGER>", converter = Args.DurationConverter.class, defaultValue = "5ms",
            description = "How long to wait for more records before flushing a batch. [default: 5ms]")
    Duration linger;

    @Mixin
    StreamCommands.EncryptionKey encryptionKey;

    private static final Object END = new Object();

    @Override
    public Integer call() throws IOException {
        BrookCli.Context ctx = root.context;
        Optional<String> key = encryptionKey.resolve(ctx);
        InputStream in = input.isEmpty() || input.equals("-") ? ctx.in : openInput(input);
        Semaphore inflight = new Semaphore(INFLIGHT_BYTES_MAX);
        BlockingQueue<Object> records = new LinkedBlockingQueue<>();
        CliException[] readFailure = new CliException[1];
        Thread reader = new Thread(() -> readLines(in, records, inflight, readFailure), "append-input");
        reader.setDaemon(true);
        reader.start();

        Aborted aborted = Aborted.install(ctx);
        AppendSession session = new AppendSession(ctx.api(), uri, key, Optional.ofNullable(fencingToken),
                matchSeqNum == null ? OptionalLong.empty() : OptionalLong.of(matchSeqNum), (batch, start, end, tailSeq, tailTs) -> {
                    String ts = tailTs.isPresent() ? Long.toString(tailTs.getAsLong()) : tailTimestamp(ctx);
                    ctx.err.println(ctx.style.green("✓ [APPENDED] " + start + ".." + end + " // tail: " + tailSeq + " @ " + ts));
                    inflight.release((int) batch.meteredBytes());
                });
        try {
            batchAndSend(records, session);
            session.close();
        } finally {
            aborted.done();
        }
        if (readFailure[0] != null) {
            throw readFailure[0];
        }
        return 0;
    }

    private InputStream openInput(String path) {
        try {
            return Files.newInputStream(Path.of(path));
        } catch (IOException e) {
            throw new CliException("Failed to initialize a `Record Reader`! " + e.getMessage(), Optional.empty(), Optional.empty(), 1);
        }
    }

    /** The tail's timestamp when only its position is known (a batch found landed after a failure); {@code ?} when it cannot be read. */
    private String tailTimestamp(BrookCli.Context ctx) {
        try {
            return Long.toString(StreamCommands.checkTail(ctx, "check tail", uri).path("timestamp").asLong());
        } catch (CliException e) {
            return "?";
        }
    }

    /** Reads lines, parses them, holds each one's bytes until acknowledged, and queues it; {@link #END} at the end. */
    private void readLines(InputStream raw, BlockingQueue<Object> out, Semaphore inflight, CliException[] failure) {
        try (InputStream in = new BufferedInputStream(raw, 64 << 10)) {
            byte[] line;
            while ((line = nextLine(in)) != null) {
                AppendRecord record;
                try {
                    record = format == Formats.RecordFormat.TEXT ? Formats.parseRecord(format, line)
                            : Formats.parseRecord(format, new String(line, StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    failure[0] = new CliException("Failed to initialize a `Record Reader`! " + e.getMessage(), Optional.empty(), Optional.empty(), 1);
                    break;
                }
                long bytes = record.meteredBytes();
                if (bytes > BATCH_BYTES_MAX) {
                    failure[0] = new CliException("Failed to initialize a `Record Reader`! Error parsing: record must have metered size less than 1 MiB",
                            Optional.empty(), Optional.empty(), 1);
                    break;
                }
                inflight.acquire((int) bytes);
                out.put(record);
            }
        } catch (IOException e) {
            failure[0] = new CliException("Failed to initialize a `Record Reader`! Error reading: " + e.getMessage(), Optional.empty(),
                    Optional.empty(), 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.add(END);
        }
    }

    /** A line without its {@code \n} (and a {@code \r} before it), or null at the end of input. */
    static byte[] nextLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        boolean any = false;
        while ((c = in.read()) >= 0) {
            any = true;
            if (c == '\n') {
                break;
            }
            line.write(c);
        }
        if (!any) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        if (bytes.length > 0 && bytes[bytes.length - 1] == '\r') {
            return java.util.Arrays.copyOf(bytes, bytes.length - 1);
        }
        return bytes;
    }

    /** Forms batches: a batch closes at 1000 records, at 1 MiB, or {@code linger} after its first record. */
    private void batchAndSend(BlockingQueue<Object> in, AppendSession session) {
        Object carried = null;
        boolean end = false;
        try {
            while (!end && !session.failed()) {
                Object first = carried != null ? carried : in.poll(200, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) {
                    continue;
                }
                if (first == END) {
                    break;
                }
                List<AppendRecord> batch = new ArrayList<>();
                AppendRecord r = (AppendRecord) first;
                batch.add(r);
                long bytes = r.meteredBytes();
                long deadline = System.nanoTime() + linger.toNanos();
                while (batch.size() < BATCH_RECORDS_MAX) {
                    long wait = deadline - System.nanoTime();
                    Object next = wait > 0 ? in.poll(wait, TimeUnit.NANOSECONDS) : in.poll();
                    if (next == null) {
                        break;
                    }
                    if (next == END) {
                        end = true;
                        break;
                    }
                    AppendRecord n = (AppendRecord) next;
                    if (bytes + n.meteredBytes() > BATCH_BYTES_MAX) {
                        carried = n;
                        break;
                    }
                    batch.add(n);
                    bytes += n.meteredBytes();
                }
                session.submit(new AppendSession.Batch(List.copyOf(batch), bytes));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** S2's {@code ■ [ABORTED]} when the process is stopped (Ctrl-C, SIGTERM) before the command finished. */
    static final class Aborted {
        private final Thread hook;
        private volatile boolean done;

        private Aborted(BrookCli.Context ctx) {
            hook = new Thread(() -> {
                if (!done) {
                    ctx.err.println(ctx.style.red("■ [ABORTED]"));
                    ctx.err.flush();
                }
            });
        }

        static Aborted install(BrookCli.Context ctx) {
            Aborted a = new Aborted(ctx);
            try {
                Runtime.getRuntime().addShutdownHook(a.hook);
            } catch (IllegalStateException e) {
                // shutting down already
            }
            return a;
        }

        void done() {
            done = true;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down
            }
        }
    }
}
