package dev.brook.cli;

import dev.brook.core.SequencedRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code read}: records of a stream through a {@link ReadSession}; each batch's line on stderr as
 * S2 prints it, records on stdout or {@code -o}. No start means the tail; no bound means follow.
 */
@Command(name = "read", mixinStandardHelpOptions = true, description = {"Read records from a stream.", "",
    "If a limit if specified, reading will stop when the limit is reached or there are no more records on the stream. If a limit is not "
        + "specified, the reader will keep tailing and wait for new records."})
final class ReadCommand implements Callable<Integer> {

    @ParentCommand
    BrookCli root;

    @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = StreamCommands.URI_HELP)
    Uri.Parsed uri;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Start start;

    static final class Start {
        @Option(names = {"-s", "--seq-num"}, paramLabel = "<SEQ_NUM>", description = "Starting sequence number (inclusive).")
        Long seqNum;

        @Option(names = "--timestamp", paramLabel = "<TIMESTAMP>", description = "Starting timestamp in milliseconds since Unix epoch (inclusive).")
        Long timestamp;

        @Option(names = "--ago", paramLabel = "<AGO>", converter = Args.DurationConverter.class, description = "Starting timestamp as a "
                + "human-friendly delta from current time e.g. \"1h\", which will be converted to milliseconds since Unix epoch.")
        Duration ago;

        @Option(names = "--tail-offset", paramLabel = "<TAIL_OFFSET>", description = "Start from N records before the tail of the stream.")
        Long tailOffset;
    }

    @Option(names = {"-n", "--count"}, paramLabel = "<COUNT>", description = "Limit the number of records returned.")
    Long count;

    @Option(names = {"-b", "--bytes"}, paramLabel = "<BYTES>", description = "Limit the number of bytes returned.")
    Long bytes;

    @Option(names = "--clamp", description = "Clamp the start position at the tail position.")
    boolean clamp;

    @Option(names = "--until", paramLabel = "<UNTIL>", description = "Exclusive end-timestamp in milliseconds since Unix epoch. If provided, "
            + "results will be limited such that all records returned will have a timestamp < the one provided via `until`.")
    Long until;

    @Mixin
    OutputOptions output;

    @Mixin
    StreamCommands.EncryptionKey encryptionKey;

    @Override
    public Integer call() throws IOException {
        BrookCli.Context ctx = root.context;
        ReadSession.Params p = new ReadSession.Params();
        if (start != null) {
            if (start.seqNum != null) {
                p.seqNum = OptionalLong.of(nonNegative(start.seqNum, "--seq-num"));
            } else if (start.timestamp != null) {
                p.timestamp = OptionalLong.of(nonNegative(start.timestamp, "--timestamp"));
            } else if (start.ago != null) {
                p.timestamp = OptionalLong.of(Math.max(0, System.currentTimeMillis() - start.ago.toMillis()));
            } else if (start.tailOffset != null) {
                p.tailOffset = OptionalLong.of(nonNegative(start.tailOffset, "--tail-offset"));
            }
        } else {
            p.tailOffset = OptionalLong.of(0);
        }
        if (count != null) {
            p.count = OptionalLong.of(nonNegative(count, "--count"));
        }
        if (bytes != null) {
            p.bytes = OptionalLong.of(nonNegative(bytes, "--bytes"));
        }
        if (until != null) {
            p.until = OptionalLong.of(nonNegative(until, "--until"));
        }
        p.clamp = clamp;
        Optional<String> key = encryptionKey.resolve(ctx);
        try (Output out = Output.open(ctx, output.path)) {
            AppendCommand.Aborted aborted = AppendCommand.Aborted.install(ctx);
            try {
                new ReadSession(ctx.api(), uri, key, "read").run(p, (records, tail) -> {
                    if (records.isEmpty()) {
                        return;
                    }
                    long size = 0;
                    for (SequencedRecord r : records) {
                        size += r.meteredBytes();
                    }
                    ctx.err.println(ctx.style.blue(Formats.batchLine(size, records.size(), records.get(0).seqNum(),
                            records.get(records.size() - 1).seqNum())));
                    out.write(ctx, output.format, records);
                });
            } finally {
                aborted.done();
            }
        }
        return 0;
    }

    static long nonNegative(long v, String flag) {
        if (v < 0) {
            throw CliException.invalidArgs("invalid value '" + v + "' for '" + flag + "'");
        }
        return v;
    }

    /** Where records go and how they look: {@code --format} and {@code -o/--output}, shared by read and tail. */
    static final class OutputOptions {
        @Option(names = "--format", paramLabel = "<FORMAT>", converter = Args.FormatConverter.class, defaultValue = "text",
                description = "Output format. [default: text] [possible values: text, json, json-base64]")
        Formats.RecordFormat format;

        @Option(names = {"-o", "--output"}, paramLabel = "<OUTPUT>", defaultValue = "-",
                description = "Output records to a file or stdout. Use \"-\" to write to stdout. [default: -]")
        String path;
    }

    /** Where records go: stdout, or a file created (truncated) for the command. */
    static final class Output implements AutoCloseable {
        private final PrintStream stream;
        private final boolean file;

        private Output(PrintStream stream, boolean file) {
            this.stream = stream;
            this.file = file;
        }

        static Output open(BrookCli.Context ctx, String output) {
            if (output.isEmpty() || output.equals("-")) {
                return new Output(ctx.out, false);
            }
            try {
                OutputStream os = new BufferedOutputStream(Files.newOutputStream(Path.of(output)), 64 << 10);
                return new Output(new PrintStream(os, false, StandardCharsets.UTF_8), true);
            } catch (IOException e) {
                throw CliException.op("read", "Failed to write records: " + e.getMessage());
            }
        }

        /** Records in the format, one a line; command records in text format go to stderr, as S2's CLI shows them. */
        void write(BrookCli.Context ctx, Formats.RecordFormat format, List<SequencedRecord> records) throws IOException {
            for (SequencedRecord r : records) {
                String text = Formats.renderRecord(format, r);
                if (text == null) {
                    ctx.err.println(ctx.style.bold(Formats.commandLine(r)));
                    continue;
                }
                stream.print(text);
                stream.print('\n');
            }
            stream.flush();
            if (stream.checkError()) {
                throw new IOException("Failed to write records");
            }
        }

        @Override
        public void close() {
            stream.flush();
            if (file) {
                stream.close();
            }
        }
    }

    /** {@code tail}: the last N records (10 by default), and with {@code -f} every record after them. */
    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Tail a stream, showing the last N records.")
    static final class Tail implements Callable<Integer> {
        @ParentCommand
        BrookCli root;

        @Parameters(index = "0", paramLabel = "<S2_URI>", converter = Args.StreamConverter.class, description = StreamCommands.URI_HELP)
        Uri.Parsed uri;

        @Option(names = {"-n", "--lines"}, paramLabel = "<LINES>", defaultValue = "10",
                description = "Output the last N records instead of the default (10). [default: 10]")
        long lines;

        @Option(names = {"-f", "--follow"}, description = "Follow the stream, waiting for new records to be appended.")
        boolean follow;

        @Mixin
        OutputOptions output;

        @Mixin
        StreamCommands.EncryptionKey encryptionKey;

        @Override
        public Integer call() throws IOException {
            BrookCli.Context ctx = root.context;
            ReadSession.Params p = new ReadSession.Params();
            p.tailOffset = OptionalLong.of(nonNegative(lines, "--lines"));
            p.clamp = true;
            if (!follow) {
                p.count = OptionalLong.of(lines);
            }
            Optional<String> key = encryptionKey.resolve(ctx);
            try (Output out = Output.open(ctx, output.path)) {
                AppendCommand.Aborted aborted = AppendCommand.Aborted.install(ctx);
                try {
                    new ReadSession(ctx.api(), uri, key, "tail").run(p, (records, tail) -> out.write(ctx, output.format, records));
                } catch (CliException e) {
                    // Fewer records than asked, and nothing to follow: an empty stream (or a start at its tail) has none to show.
                    if (!follow && e.code().filter("range_not_satisfiable"::equals).isPresent()) {
                        return 0;
                    }
                    throw e;
                } finally {
                    aborted.done();
                }
            }
            return 0;
        }
    }
}
