package dev.brook.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code brook} command: S2's CLI commands, flags, environment and output against Brook's public
 * HTTP API (docs/CLI.md). Started by the {@code ./brook} launcher straight from the class path (no
 * Quarkus boot), or by {@code java -jar quarkus-run.jar <command>} through {@code BrookMain}.
 */
@Command(name = "brook", mixinStandardHelpOptions = true, versionProvider = BrookCli.Version.class,
        description = "Brook's command line: S2's CLI commands against Brook's S2 API.",
        footer = {"", "Environment: S2_ACCESS_TOKEN, S2_ACCOUNT_ENDPOINT and S2_BASIN_ENDPOINT (default http://localhost:8080),",
            "S2_COMPRESSION (gzip|zstd). `java -jar quarkus-run.jar` with no command starts the server."},
        subcommands = {HelpCommand.class,
            BasinCommands.Ls.class, BasinCommands.ListBasins.class, BasinCommands.CreateBasin.class, BasinCommands.DeleteBasin.class,
            BasinCommands.GetBasinConfig.class, BasinCommands.ReconfigureBasin.class,
            TokenCommands.ListAccessTokens.class, TokenCommands.IssueAccessToken.class, TokenCommands.RevokeAccessToken.class,
            StreamCommands.ListStreams.class, StreamCommands.CreateStream.class, StreamCommands.DeleteStream.class,
            StreamCommands.GetStreamConfig.class, StreamCommands.ReconfigureStream.class, StreamCommands.CheckTail.class,
            StreamCommands.Trim.class, StreamCommands.Fence.class,
            AppendCommand.class, ReadCommand.class, ReadCommand.Tail.class, BenchCommand.class})
public final class BrookCli implements Runnable {

    /** What {@code BrookMain} hands to the CLI instead of starting a server. */
    public static final Set<String> ENTRY_WORDS = Set.of("help", "--help", "-h", "--version", "-V");

    @Spec
    CommandSpec spec;

    final Context context;

    BrookCli(Context context) {
        this.context = context;
    }

    @Override
    public void run() {
        spec.commandLine().usage(context.err);
    }

    /** Whether {@code args} ask for the CLI (a subcommand, help or version) rather than the server. */
    public static boolean wants(String... args) {
        if (args.length == 0) {
            return false;
        }
        return ENTRY_WORDS.contains(args[0]) || commandLine(new Context(Map.of(), System.in, System.out, System.err, new Formats.Style(false)))
                .getSubcommands().containsKey(args[0]);
    }

    public static void main(String... args) {
        Map<String, String> env = System.getenv();
        Formats.Style style = Formats.Style.detect(env);
        System.exit(run(new Context(env, System.in, printStream(System.out), printStream(System.err), style), args));
    }

    private static PrintStream printStream(PrintStream s) {
        return new PrintStream(s, true, StandardCharsets.UTF_8);
    }

    /** Runs one command line; returns its exit status. Never throws. */
    public static int run(Context context, String... args) {
        try {
            return commandLine(context).execute(args);
        } finally {
            context.out.flush();
            context.err.flush();
        }
    }

    static CommandLine commandLine(Context context) {
        CommandLine cli = new CommandLine(new BrookCli(context));
        cli.setOut(new java.io.PrintWriter(context.out, true));
        cli.setErr(new java.io.PrintWriter(context.err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(false);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CliException e) {
                context.err.println(context.style.red(e.render()));
                return e.exitCode();
            }
            context.err.println(context.style.red("Error:   × " + (ex.getMessage() == null ? ex.toString() : ex.getMessage())));
            return 1;
        });
        return cli;
    }

    /** Everything a command uses from outside: environment, streams, and the API built from them. */
    public static final class Context {
        final Map<String, String> env;
        final InputStream in;
        final PrintStream out;
        final PrintStream err;
        final Formats.Style style;
        private HttpApi api;

        public Context(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Formats.Style style) {
            this.env = env;
            this.in = in;
            this.out = out;
            this.err = err;
            this.style = style;
        }

        synchronized HttpApi api() {
            if (api == null) {
                api = new HttpApi(Config.fromEnv(env));
            }
            return api;
        }

        /** A line on stderr in green, as S2's CLI confirms an operation. */
        void done(String message) {
            err.println(style.green(message));
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = BrookCli.class.getPackage().getImplementationVersion();
            return new String[] {"brook " + (v == null ? "0.1.0-SNAPSHOT" : v) + " (S2 CLI compatible command line)"};
        }
    }
}
