package dev.brook.cli;

import java.util.Optional;

/**
 * A failure the CLI reports as S2's CLI does (docs/CLI.md, "Errors"): one line
 * {@code Error:   × <what failed>: <code>: <message>}, an optional help line, exit status 1. Never
 * a stack trace.
 */
public final class CliException extends RuntimeException {

    private final Optional<String> code;
    private final Optional<String> help;
    private final int exitCode;

    public CliException(String message, Optional<String> code, Optional<String> help, int exitCode) {
        super(message, null, false, false);
        this.code = code;
        this.help = help;
        this.exitCode = exitCode;
    }

    /** An invalid argument: S2's "Invalid CLI arguments: ..." */
    public static CliException invalidArgs(String message) {
        return new CliException("Invalid CLI arguments: " + message, Optional.empty(), Optional.empty(), 1);
    }

    /** An operation that failed: "Failed to {op}: {detail}". */
    public static CliException op(String op, String detail) {
        return new CliException("Failed to " + op + ": " + detail, Optional.empty(), Optional.empty(), 1);
    }

    /** An operation the server refused with an S2 error code. */
    public static CliException server(String op, String code, String message) {
        Optional<String> help = Optional.empty();
        if (code.equals("authn") || code.equals("permission_denied")) {
            help = Optional.of("Verify the token loaded from environment (S2_ACCESS_TOKEN) is valid and has permission for this"
                    + " operation, then retry.");
        }
        return new CliException("Failed to " + op + ": " + code + ": " + message, Optional.of(code), help, 1);
    }

    public CliException withCode(String c) {
        return new CliException(getMessage(), Optional.of(c), help, exitCode);
    }

    public CliException withHelp(String text) {
        return new CliException(getMessage(), code, Optional.of(text), exitCode);
    }

    /** The server's S2 error code, when the server answered with one. */
    public Optional<String> code() {
        return code;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The lines printed on stderr. */
    public String render() {
        StringBuilder out = new StringBuilder("Error:   × ").append(getMessage());
        help.ifPresent(h -> out.append("\n  help: ").append(h));
        return out.toString();
    }
}
