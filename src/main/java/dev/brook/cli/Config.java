package dev.brook.cli;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's configuration, from the environment S2's CLI reads (docs/CLI.md, "Environment"):
 * {@code S2_ACCESS_TOKEN}, {@code S2_ACCOUNT_ENDPOINT} and {@code S2_BASIN_ENDPOINT} (for Brook both
 * default to {@code http://localhost:8080}), {@code S2_COMPRESSION} ({@code gzip} or {@code zstd}).
 * A basin endpoint containing {@code {basin}} routes by host name; any other sends {@code s2-basin}.
 */
public record Config(Optional<String> accessToken, URI accountEndpoint, String basinEndpoint, Optional<String> compression) {

    public static final String DEFAULT_ENDPOINT = "http://localhost:8080";

    public static Config fromEnv(Map<String, String> env) {
        Optional<String> token = nonEmpty(env.get("S2_ACCESS_TOKEN"));
        String account = nonEmpty(env.get("S2_ACCOUNT_ENDPOINT")).orElse(DEFAULT_ENDPOINT);
        String basin = nonEmpty(env.get("S2_BASIN_ENDPOINT")).orElse(DEFAULT_ENDPOINT);
        Optional<String> compression = nonEmpty(env.get("S2_COMPRESSION")).map(c -> c.trim().toLowerCase(Locale.ROOT));
        if (compression.isPresent() && !compression.get().equals("gzip") && !compression.get().equals("zstd")) {
            throw new CliException("Invalid value '" + compression.get() + "' for config key 'compression'",
                    Optional.empty(), Optional.of("S2_COMPRESSION is `gzip` or `zstd`."), 1);
        }
        return new Config(token, endpoint(account, "S2_ACCOUNT_ENDPOINT"), withScheme(basin), compression);
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    /** As S2's SDK: an endpoint without a scheme is https. */
    private static String withScheme(String endpoint) {
        String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        return e.contains("://") ? e : "https://" + e;
    }

    private static URI endpoint(String text, String name) {
        try {
            URI uri = URI.create(withScheme(text));
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new CliException("Unable to parse S2 endpoints: " + name + "=" + text + ": " + e.getMessage(), Optional.empty(),
                    Optional.of("Set `S2_ACCOUNT_ENDPOINT` / `S2_BASIN_ENDPOINT` to valid URLs (e.g., http://localhost:8080)."), 1);
        }
    }

    /** The basin endpoint for one basin, and whether requests must name the basin in {@code s2-basin}. */
    public BasinEndpoint basin(String basin) {
        if (basinEndpoint.contains("{basin}")) {
            return new BasinEndpoint(endpoint(basinEndpoint.replace("{basin}", basin), "S2_BASIN_ENDPOINT"), false);
        }
        return new BasinEndpoint(endpoint(basinEndpoint, "S2_BASIN_ENDPOINT"), true);
    }

    public record BasinEndpoint(URI root, boolean basinHeader) {}
}
