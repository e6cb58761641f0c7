package dev.brook.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
        footer = {"", "Environment: S2_ACCESS_TOKEN; S2_ACCOUNT_ENDPOINT, S2_BASIN_ENDPOINT (both",
            "default to http://localhost:8080); S2_COMPRESSION (gzip|zstd).",
            "`java -jar quarkus-run.jar` with no command starts the server. See docs/CLI.md."})
public final class BrookCli implements Runnable {

    /**
     * The subcommands, by name, in S2's order. Only the one a command line names is registered (all of
     * them for help and errors): building picocli's model of every command costs a start ~0.3 s.
     */
    static final Map<String, Class<?>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("ls", BasinCommands.Ls.class);
        COMMANDS.put("list-basins", BasinCommands.ListBasins.class);
        COMMANDS.put("create-basin", BasinCommands.CreateBasin.class);
        COMMANDS.put("delete-basin", BasinCommands.DeleteBasin.class);
        COMMANDS.put("get-basin-config", BasinCommands.GetBasinConfig.class);
        COMMANDS.put("reconfigure-basin", BasinCommands.ReconfigureBasin.class);
        COMMANDS.put("list-access-tokens", TokenCommands.ListAccessTokens.class);
        COMMANDS.put("issue-access-token", TokenCommands.IssueAccessToken.class);
        COMMANDS.put("revoke-access-token", TokenCommands.RevokeAccessToken.class);
        COMMANDS.put("list-streams", StreamCommands.ListStreams.class);
        COMMANDS.put("create-stream", StreamCommands.CreateStream.class);
        COMMANDS.put("delete-stream", StreamCommands.DeleteStream.class);
        COMMANDS.put("get-stream-config", StreamCommands.GetStreamConfig.class);
        COMMANDS.put("reconfigure-stream", StreamCommands.ReconfigureStream.class);
        COMMANDS.put("check-tail", StreamCommands.CheckTail.class);
        COMMANDS.put("trim", StreamCommands.Trim.class);
        COMMANDS.put("fence", StreamCommands.Fence.class);
        COMMANDS.put("append", AppendCommand.class);
        COMMANDS.put("read", ReadCommand.class);
        COMMANDS.put("tail", ReadCommand.Tail.class);
        COMMANDS.put("bench", BenchCommand.class);
    }

    /** What {@code BrookMain} hands to the CLI instead of starting a server. */
    public static final Set<String> ENTRY_WORDS = Set.of("help", "--help", "-h", "--version", "-V");

    @Spec
    CommandSpec spec;

    final Context context;

    BrookCli(Context context) {
        this.context = context;
    }

    /** No command: the usage, on stdout, as S2's CLI prints its help. */
    @Override
    public void run() {
        spec.commandLine().usage(context.out);
    }

    /** Whether {@code args} ask for the CLI (a subcommand, help or version) rather than the server. */
    public static boolean wants(String... args) {
        if (args.length == 0) {
            return false;
        }
        return ENTRY_WORDS.contains(args[0]) || COMMANDS.containsKey(args[0]);
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
            return commandLine(context, args.length > 0 ? args[0] : null).execute(args);
        } finally {
            context.out.flush();
            context.err.flush();
        }
    }

    static CommandLine commandLine(Context context, String first) {
        CommandLine cli = new CommandLine(new BrookCli(context));
        if (first != null && COMMANDS.containsKey(first)) {
            cli.addSubcommand(first, COMMANDS.get(first));
        } else {
            cli.addSubcommand("help", HelpCommand.class);
            COMMANDS.forEach(cli::addSubcommand);
        }
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
