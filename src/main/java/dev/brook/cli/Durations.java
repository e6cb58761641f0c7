package dev.brook.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Human durations as S2's CLI reads and prints them (the {@code humantime} crate): {@code 5ms},
 * {@code 30s}, {@code 1h 30m}, {@code 1d}, {@code 1w}, {@code 1y}; a month is 30.44 days and a year
 * 365.25 days.
 */
public final class Durations {

    private static final Pattern PART = Pattern.compile("\\s*(\\d+)\\s*([a-zA-Zµ]+)");
    private static final long NS = 1, US = 1_000, MS = 1_000_000, S = 1_000_000_000L;
    private static final long MIN = 60 * S, H = 60 * MIN, D = 24 * H, W = 7 * D;
    private static final long MONTH = 2_630_016L * S, YEAR = 31_557_600L * S;

    private Durations() {}

    /** Parses a duration; throws {@link IllegalArgumentException} with humantime's wording when it is not one. */
    public static Duration parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("value was empty");
        }
        Matcher m = PART.matcher(s);
        long nanos = 0;
        int at = 0;
        while (at < s.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException("invalid duration `" + text + "`: expected a number and a unit (e.g. 30s, 5m, 1h, 1d, 1w)");
            }
            long n = Long.parseLong(m.group(1));
            long unit = unit(m.group(2), text);
            nanos = Math.addExact(nanos, Math.multiplyExact(n, unit));
            at = m.end();
            while (at < s.length() && s.charAt(at) == ' ') {
                at++;
            }
        }
        return Duration.ofNanos(nanos);
    }

    private static long unit(String u, String text) {
        return switch (u) {
            case "nsec", "ns" -> NS;
            case "usec", "us", "µs" -> US;
            case "msec", "ms" -> MS;
            case "seconds", "second", "sec", "s" -> S;
            case "minutes", "minute", "min", "mins", "m" -> MIN;
            case "hours", "hour", "hr", "hrs", "h" -> H;
            case "days", "day", "d" -> D;
            case "weeks", "week", "w" -> W;
            case "months", "month", "M" -> MONTH;
            case "years", "year", "y" -> YEAR;
            default -> throw new IllegalArgumentException("unknown time unit `" + u + "` in `" + text
                    + "`, supported units: ns, us, ms, sec, min, hours, days, weeks, months, years (and few variations)");
        };
    }

    /** Formats as humantime's {@code format_duration}: {@code 7days}, {@code 1h 30m}, {@code 0s}. */
    public static String format(Duration d) {
        long secs = d.getSeconds();
        long nanos = d.getNano();
        if (secs == 0 && nanos == 0) {
            return "0s";
        }
        long years = secs / 31_557_600L;
        long ydays = secs % 31_557_600L;
        long months = ydays / 2_630_016L;
        long mdays = ydays % 2_630_016L;
        long days = mdays / 86_400;
        long dsecs = mdays % 86_400;
        long hours = dsecs / 3600;
        long minutes = dsecs % 3600 / 60;
        long seconds = dsecs % 60;
        long millis = nanos / 1_000_000;
        long micros = nanos / 1000 % 1000;
        long ns = nanos % 1000;
        StringBuilder out = new StringBuilder();
        item(out, "year", years, true);
        item(out, "month", months, true);
        item(out, "day", days, true);
        item(out, "h", hours, false);
        item(out, "m", minutes, false);
        item(out, "s", seconds, false);
        item(out, "ms", millis, false);
        item(out, "us", micros, false);
        item(out, "ns", ns, false);
        return out.toString();
    }

    private static void item(StringBuilder out, String name, long value, boolean plural) {
        if (value > 0) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(value).append(name);
            if (plural && value > 1) {
                out.append('s');
            }
        }
    }

    /** A retention policy flag: {@code infinite}, or a duration of at least a second, as seconds. */
    public static RetentionPolicy retention(String text) {
        if (text.trim().toLowerCase(Locale.ROOT).equals("infinite")) {
            return new RetentionPolicy(0, true);
        }
        Duration d;
        try {
            d = parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid retention policy: expected a duration, or 'infinite'");
        }
        return new RetentionPolicy(d.getSeconds(), false);
    }

    /** {@code age} seconds, or infinite. */
    public record RetentionPolicy(long ageSecs, boolean infinite) {}
}
