package dev.brook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.core.AppendRecord;
import dev.brook.core.Header;
import dev.brook.core.SequencedRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CLI's parsing and printing, without a server: URIs, durations, token flags, record formats, status lines, tables. */
class CliParsingTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void urisAcceptS2sFormsAndTheBareOnes() {
        assertEquals("my-basin-01", Uri.basin("my-basin-01"));
        assertEquals("my-basin-01", Uri.basin("s2://my-basin-01"));
        assertEquals("my-basin-01", Uri.basin("s2://my-basin-01/"));
        assertEquals(new Uri.Parsed("my-basin", Optional.of("prod/logs")), Uri.stream("s2://my-basin/prod/logs"));
        assertEquals(new Uri.Parsed("my-basin", Optional.of("events")), Uri.stream("my-basin/events"));
        assertEquals(new Uri.Parsed("my-basin", Optional.empty()), Uri.basinAndMaybePrefix("my-basin"));
        assertEquals(new Uri.Parsed("my-basin", Optional.of("pre")), Uri.basinAndMaybePrefix("s2://my-basin/pre"));

        assertEquals("Invalid S2 URI scheme `http://`. Must be `s2://`",
                assertThrows(IllegalArgumentException.class, () -> Uri.stream("http://my-basin/s")).getMessage());
        assertEquals("Missing stream name in S2 URI", assertThrows(IllegalArgumentException.class, () -> Uri.stream("s2://my-basin")).getMessage());
        assertEquals("Missing stream name in S2 URI", assertThrows(IllegalArgumentException.class, () -> Uri.stream("my-basin")).getMessage());
        assertEquals("Only basin name expected but found both basin and stream names",
                assertThrows(IllegalArgumentException.class, () -> Uri.basin("s2://my-basin/s")).getMessage());
        assertEquals("basin name must begin with a lowercase letter or number",
                assertThrows(IllegalArgumentException.class, () -> Uri.basin("-invalid-basin")).getMessage());
        assertEquals("basin name should be at least 8 bytes in length",
                assertThrows(IllegalArgumentException.class, () -> Uri.basin("s2:///stream/name")).getMessage());
        assertEquals("basin name must comprise lowercase letters, numbers, and hyphens",
                assertThrows(IllegalArgumentException.class, () -> Uri.basin("random:::string")).getMessage());
    }

    @Test
    void durationsReadAndPrintAsHumantimeDoes() {
        assertEquals(Duration.ofMillis(5), Durations.parse("5ms"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
        assertEquals(Duration.ofDays(7), Durations.parse("1w"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h 30m"));
        assertEquals(Duration.ofSeconds(31_557_600), Durations.parse("1y"));
        assertEquals(Duration.ofSeconds(60), Durations.parse("60s"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 fortnights"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));

        assertEquals("7days", Durations.format(Duration.ofDays(7)));
        assertEquals("1day", Durations.format(Duration.ofDays(1)));
        assertEquals("1h 30m", Durations.format(Duration.ofMinutes(90)));
        assertEquals("0s", Durations.format(Duration.ZERO));
        assertEquals("1year", Durations.format(Duration.ofSeconds(31_557_600)));
    }

    @Test
    void retentionIsADurationOrInfinite() {
        assertEquals(new Durations.RetentionPolicy(86_400, false), Durations.retention("1d"));
        assertEquals(new Durations.RetentionPolicy(604_800, false), Durations.retention("1w"));
        assertEquals(new Durations.RetentionPolicy(0, true), Durations.retention("infinite"));
        assertEquals("invalid retention policy: expected a duration, or 'infinite'",
                assertThrows(IllegalArgumentException.class, () -> Durations.retention("forever")).getMessage());
    }

    @Test
    void streamConfigFlagsBecomeTheApisJson() {
        ConfigOptions.Stream flags = new ConfigOptions.Stream();
        assertTrue(flags.isEmpty());
        assertEquals("{}", flags.json().toString());
        flags.storageClass = "standard";
        flags.retentionPolicy = Durations.retention("infinite");
        flags.timestampingMode = "arrival";
        flags.timestampingUncapped = true;
        flags.deleteOnEmptyMinAge = Durations.parse("1h");
        assertEquals("{\"storage_class\":\"standard\",\"retention_policy\":{\"infinite\":{}},"
                + "\"timestamping\":{\"mode\":\"arrival\",\"uncapped\":true},\"delete_on_empty\":{\"min_age_secs\":3600}}", flags.json().toString());
        flags.timestampingMode = "whenever";
        assertThrows(CliException.class, flags::json);
    }

    IssueRequest issue(String... args) {
        TokenCommands.IssueAccessToken command = new TokenCommands.IssueAccessToken();
        new CommandLine(command).parseArgs(args);
        return new IssueRequest(command.request(Instant.parse("2026-01-01T00:00:00Z")));
    }

    record IssueRequest(JsonNode json) {}

    @Test
    void issueAccessTokenTakesTheLegacyFlagsOfS2sDocs() {
        JsonNode request = issue("--id", "public-ro-logs", "--op-groups=stream=r", "--basins=my-basin", "--streams=prod/logs").json();
        assertEquals("{\"id\":\"public-ro-logs\",\"scope\":{\"basins\":{\"prefix\":\"my-basin\"},\"streams\":{\"prefix\":\"prod/logs\"},"
                + "\"op_groups\":{\"stream\":{\"read\":true,\"write\":false}},\"ops\":[]}}", request.toString());

        JsonNode exact = issue("--id", "t", "--basins==my-basin", "--streams==prod/logs", "--access-tokens==t", "--ops", "read,check_tail").json();
        assertEquals("{\"exact\":\"my-basin\"}", exact.at("/scope/basins").toString());
        assertEquals("{\"exact\":\"prod/logs\"}", exact.at("/scope/streams").toString());
        assertEquals("{\"exact\":\"t\"}", exact.at("/scope/access_tokens").toString());
        assertEquals("[\"read\",\"check-tail\"]", exact.at("/scope/ops").toString());
    }

    @Test
    void issueAccessTokenTakesTheCurrentFlags() {
        JsonNode request = issue("reader", "--expires-in", "1d", "--auto-prefix-streams", "--basins-exact", "my-basin", "--streams-prefix", "",
                "--access-tokens-prefix", "=x", "--op-group-perms", "account=rw,basin=r,stream=w", "--ops", "append").json();
        assertEquals("reader", request.get("id").asText());
        assertEquals("2026-01-02T00:00:00Z", request.get("expires_at").asText());
        assertTrue(request.get("auto_prefix_streams").asBoolean());
        assertEquals("{\"exact\":\"my-basin\"}", request.at("/scope/basins").toString());
        assertEquals("{\"prefix\":\"\"}", request.at("/scope/streams").toString());
        assertEquals("{\"prefix\":\"=x\"}", request.at("/scope/access_tokens").toString(), "--*-prefix keeps a leading '=' as S2's CLI does");
        assertEquals("{\"account\":{\"read\":true,\"write\":true},\"basin\":{\"read\":true,\"write\":false},"
                + "\"stream\":{\"read\":false,\"write\":true}}", request.at("/scope/op_groups").toString());
        assertEquals("2030-01-01T00:00:00Z", issue("t", "--expires-at", "2030-01-01T00:00:00Z").json().get("expires_at").asText());

        assertThrows(CliException.class, () -> issue("t", "--streams-prefix", "x", "--streams-exact", "y"));
        assertThrows(CliException.class, () -> issue("t", "--expires-in", "1d", "--expires-at", "2030-01-01T00:00:00Z"));
        assertThrows(CliException.class, () -> issue("--basins", "b"), "an id is required");
        assertThrows(CliException.class, () -> issue("t", "--ops", "launch-rockets"));
    }

    @Test
    void opGroupsParseAsS2sCliParsesThem() {
        assertEquals("{}", TokenCommands.opGroups("").toString());
        assertEquals("{\"account\":{\"read\":true,\"write\":false}}", TokenCommands.opGroups("account=r").toString());
        assertEquals("Invalid op_group format: 'invalid'. Expected 'key=value'",
                assertThrows(IllegalArgumentException.class, () -> TokenCommands.opGroups("invalid")).getMessage());
        assertEquals("Invalid op_group key: 'unknown'. Expected 'account', 'basin', or 'stream'",
                assertThrows(IllegalArgumentException.class, () -> TokenCommands.opGroups("unknown=rw")).getMessage());
        assertEquals("At least one permission ('r' or 'w') must be specified",
                assertThrows(IllegalArgumentException.class, () -> TokenCommands.opGroups("account=")).getMessage());
        assertEquals("Invalid permission character: x", assertThrows(IllegalArgumentException.class, () -> TokenCommands.opGroups("account=x")).getMessage());
    }

    @Test
    void tokenSummariesAreS2sTwoLineBlocks() throws Exception {
        JsonNode token = HttpApi.JSON.readTree("{\"id\":\"tok\",\"expires_at\":null,\"auto_prefix_streams\":false,\"scope\":{"
                + "\"basins\":{\"prefix\":\"\"},\"streams\":{\"prefix\":\"tenant/\"},\"access_tokens\":null,"
                + "\"op_groups\":{\"account\":{\"read\":true,\"write\":false},\"basin\":{\"read\":false,\"write\":false},"
                + "\"stream\":{\"read\":false,\"write\":false}},\"ops\":[]}}");
        assertEquals("tok       expires never\n  basins=*  streams=tenant/*  tokens=∅  perms=a:r  ops=0",
                TokenCommands.summary(token, 8, new Formats.Style(false)));
        JsonNode prod = HttpApi.JSON.readTree("{\"id\":\"prod\",\"expires_at\":\"2030-01-01T00:00:00Z\",\"scope\":{\"basins\":null,"
                + "\"streams\":null,\"access_tokens\":{\"exact\":\"root\"},\"op_groups\":null,\"ops\":[\"read\",\"append\"]}}");
        assertEquals("prod  expires 2030-01-01T00:00:00Z\n  basins=∅  streams=∅  tokens=root  perms=none  ops=2",
                TokenCommands.summary(prod, 4, new Formats.Style(false)));
    }

    @Test
    void recordFormatsTakeS2sNamesAndAliases() {
        assertEquals(Formats.RecordFormat.TEXT, Formats.RecordFormat.parse("text"));
        assertEquals(Formats.RecordFormat.TEXT, Formats.RecordFormat.parse(""));
        assertEquals(Formats.RecordFormat.JSON, Formats.RecordFormat.parse("json"));
        assertEquals(Formats.RecordFormat.JSON, Formats.RecordFormat.parse("raw"));
        assertEquals(Formats.RecordFormat.JSON_BASE64, Formats.RecordFormat.parse("json-base64"));
        assertEquals(Formats.RecordFormat.JSON_BASE64, Formats.RecordFormat.parse("base64"));
        assertEquals(Formats.RecordFormat.JSON_BASE64, Formats.RecordFormat.parse("json-binsafe"));
        assertThrows(IllegalArgumentException.class, () -> Formats.RecordFormat.parse("xml"));
    }

    @Test
    void inputLinesBecomeRecords() {
        AppendRecord text = Formats.parseRecord(Formats.RecordFormat.TEXT, "hello from s2");
        assertEquals(new AppendRecord(java.util.OptionalLong.empty(), List.of(), utf8("hello from s2")), text);
        AppendRecord json = Formats.parseRecord(Formats.RecordFormat.JSON, "{\"timestamp\":7,\"headers\":[[\"k\",\"v\"]],\"body\":\"hi\"}");
        assertEquals(new AppendRecord(java.util.OptionalLong.of(7), List.of(new Header(utf8("k"), utf8("v"))), utf8("hi")), json);
        AppendRecord b64 = Formats.parseRecord(Formats.RecordFormat.JSON_BASE64, "{\"headers\":[[\"aw==\",\"dg==\"]],\"body\":\"AAE=\"}");
        assertEquals(new AppendRecord(java.util.OptionalLong.empty(), List.of(new Header(utf8("k"), utf8("v"))), new byte[] {0, 1}), b64);
        assertEquals(new AppendRecord(java.util.OptionalLong.empty(), List.of(), new byte[0]), Formats.parseRecord(Formats.RecordFormat.JSON, "{}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Formats.parseRecord(Formats.RecordFormat.JSON, "not json"))
                .getMessage().startsWith("Error parsing: "));
        assertThrows(IllegalArgumentException.class, () -> Formats.parseRecord(Formats.RecordFormat.JSON_BASE64, "{\"body\":\"***\"}"));
        assertThrows(IllegalArgumentException.class, () -> Formats.parseRecord(Formats.RecordFormat.JSON, "{\"headers\":[[\"k\"]]}"));
    }

    @Test
    void recordsPrintAsS2sFormatsPrintThem() {
        SequencedRecord r = new SequencedRecord(3, 1700, List.of(new Header(utf8("k"), utf8("v\n"))), utf8("hi \"there\"\u0001"));
        assertEquals("hi \"there\"\u0001", Formats.renderRecord(Formats.RecordFormat.TEXT, r));
        assertEquals("{\"seq_num\":3,\"timestamp\":1700,\"headers\":[[\"k\",\"v\\n\"]],\"body\":\"hi \\\"there\\\"\\u0001\"}",
                Formats.renderRecord(Formats.RecordFormat.JSON, r));
        assertEquals("{\"seq_num\":3,\"timestamp\":1700,\"headers\":[[\"aw==\",\"dgo=\"]],\"body\":\"aGkgInRoZXJlIgE=\"}",
                Formats.renderRecord(Formats.RecordFormat.JSON_BASE64, r));
        SequencedRecord empty = new SequencedRecord(0, 5, List.of(), new byte[0]);
        assertEquals("{\"seq_num\":0,\"timestamp\":5}", Formats.renderRecord(Formats.RecordFormat.JSON, empty));

        SequencedRecord fence = new SequencedRecord(4, 9, List.of(new Header(new byte[0], utf8("fence"))), utf8("tok"));
        assertTrue(Formats.isCommand(fence));
        assertEquals(null, Formats.renderRecord(Formats.RecordFormat.TEXT, fence), "a command goes to stderr in text format");
        assertEquals("new fencing token \"tok\" // 4 @ 9", Formats.commandLine(fence));
        SequencedRecord trim = new SequencedRecord(5, 9, List.of(new Header(new byte[0], utf8("trim"))), ByteBuffer.allocate(8).putLong(3).array());
        assertEquals("trim to 3 // 5 @ 9", Formats.commandLine(trim));
    }

    @Test
    void statusLinesAreS2s() {
        assertEquals("7 @ 1761333455729", Formats.position(7, 1761333455729L));
        assertEquals("✓ [APPENDED] 0..3 // tail: 3 @ 1700", Formats.ackLine(0, 3, 3, 1700));
        assertEquals("⦿ 42 bytes (1 record in range 0..=0)", Formats.batchLine(42, 1, 0, 0));
        assertEquals("⦿ 84 bytes (2 records in range 0..=1)", Formats.batchLine(84, 2, 0, 1));
        assertEquals("\u001b[1;32m✓ done\u001b[0m", new Formats.Style(true).green("✓ done"));
        assertEquals("✓ done", new Formats.Style(false).green("✓ done"));
    }

    @Test
    void configsPrintAsS2sNestedTables() throws Exception {
        JsonNode api = HttpApi.JSON.readTree("{\"storage_class\":\"express\",\"retention_policy\":{\"age\":604800},"
                + "\"timestamping\":{\"mode\":\"client-prefer\",\"uncapped\":false},\"delete_on_empty\":{\"min_age_secs\":0}}");
        assertEquals(String.join("\n",
                "+------------------+---------------------------------------------+",
                "| delete_on_empty  | +-------------------------+------+          |",
                "|                  | | delete_on_empty_min_age |  0s  |          |",
                "|                  | +-------------------------+------+          |",
                "+------------------+---------------------------------------------+",
                "| retention_policy | +-----+---------+                           |",
                "|                  | | Age |  7days  |                           |",
                "|                  | +-----+---------+                           |",
                "+------------------+---------------------------------------------+",
                "| storage_class    |  express                                    |",
                "+------------------+---------------------------------------------+",
                "| timestamping     | +-----------------------+-----------------+ |",
                "|                  | | timestamping_mode     |  client-prefer  | |",
                "|                  | +-----------------------+-----------------+ |",
                "|                  | | timestamping_uncapped |  false          | |",
                "|                  | +-----------------------+-----------------+ |",
                "+------------------+---------------------------------------------+"), Formats.table(ConfigOptions.streamForDisplay(api)));
    }

    /** Runs the CLI in this JVM; returns exit status, stdout, stderr. */
    static String[] run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BrookCli.run(new BrookCli.Context(env, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new Formats.Style(false)), args);
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void everyCommandHasHelpAndBadArgumentsAreUsageErrors() {
        String[] help = run(Map.of(), "--help");
        assertEquals("0", help[0]);
        for (String command : List.of("ls", "list-basins", "create-basin", "delete-basin", "get-basin-config", "reconfigure-basin",
                "list-access-tokens", "issue-access-token", "revoke-access-token", "list-streams", "create-stream", "delete-stream",
                "get-stream-config", "reconfigure-stream", "check-tail", "trim", "fence", "append", "read", "tail", "bench")) {
            assertTrue(help[1].contains(command), command + " is listed: " + help[1]);
            String[] h = run(Map.of(), command, "--help");
            assertEquals("0", h[0], command);
            assertTrue(h[1].contains("Usage: brook " + command), h[1]);
        }
        String[] bad = run(Map.of(), "check-tail", "http://my-basin/s");
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("Invalid S2 URI scheme `http://`. Must be `s2://`"), bad[2]);
        assertEquals("2", run(Map.of(), "no-such-command")[0]);
        assertTrue(BrookCli.wants("create-basin", "x"));
        assertTrue(BrookCli.wants("--help"));
        assertTrue(BrookCli.wants("help"));
        assertFalse(BrookCli.wants());
        assertFalse(BrookCli.wants("keygen", "dir"));
        assertFalse(BrookCli.wants("janitor"));
    }

    @Test
    void anUnreachableServerIsOneErrorLineAndStatusOne() {
        String[] result = run(Map.of("S2_ACCOUNT_ENDPOINT", "http://127.0.0.1:9", "S2_BASIN_ENDPOINT", "http://127.0.0.1:9"),
                "check-tail", "my-basin/events");
        assertEquals("1", result[0]);
        assertTrue(result[2].startsWith("Error:   × Failed to check tail: connect: "), result[2]);
        assertFalse(result[2].contains("\tat "), "no stack trace: " + result[2]);
        assertEquals("", result[1]);
    }

    @Test
    void benchPrintsS2sThroughputAndLatencyLines() {
        assertEquals("Write: 1.00 MiB/s, 1024 records/s (1048576 bytes, 1024 records in 1.00s)",
                BenchCommand.sample("Write", 1 << 20, 1024, 1_000_000_000L));
        assertEquals("999ns", BenchCommand.latency(999));
        assertEquals("1.5us", BenchCommand.latency(1_500));
        assertEquals("2.07ms", BenchCommand.latency(2_070_000));
        assertEquals("1.25s", BenchCommand.latency(1_250_000_000L));
        List<Long> samples = new java.util.ArrayList<>();
        for (long i = 1; i <= 100; i++) {
            samples.add(i * 1_000_000);
        }
        assertEquals(List.of("min    :    1.00ms", "p50    :   50.00ms", "p90    :   90.00ms", "p99    :   99.00ms", "max    :  100.00ms"),
                BenchCommand.rows(samples));
        assertEquals(List.of("min    :         -", "p50    :         -", "p90    :         -", "p99    :         -", "max    :         -"),
                BenchCommand.rows(List.of()));
        assertTrue(BenchCommand.chain(0, new byte[] {1}) != BenchCommand.chain(1, new byte[] {1}), "the chain depends on what came before");
    }

    @Test
    void theEnvironmentConfiguresEndpointsTokenAndCompression() {
        Config defaults = Config.fromEnv(Map.of());
        assertEquals("http://localhost:8080", defaults.accountEndpoint().toString());
        assertEquals(new Config.BasinEndpoint(java.net.URI.create("http://localhost:8080"), true), defaults.basin("my-basin"));
        assertTrue(defaults.accessToken().isEmpty());

        Config zone = Config.fromEnv(Map.of("S2_ACCOUNT_ENDPOINT", "a.example.com", "S2_BASIN_ENDPOINT", "{basin}.b.example.com:8443",
                "S2_ACCESS_TOKEN", " tok ", "S2_COMPRESSION", "ZSTD"));
        assertEquals("https://a.example.com", zone.accountEndpoint().toString(), "no scheme means https, as S2's SDK");
        assertEquals(new Config.BasinEndpoint(java.net.URI.create("https://my-basin.b.example.com:8443"), false), zone.basin("my-basin"),
                "the basin in the host name, no s2-basin header");
        assertEquals(Optional.of("tok"), zone.accessToken());
        assertEquals(Optional.of("zstd"), zone.compression());

        HttpApi api = new HttpApi(zone);
        HttpApi.Target target = api.target(Optional.of("my-basin"), HttpApi.streamPath("prod/logs ü") + "/records");
        assertEquals("https://my-basin.b.example.com:8443/v1/streams/prod%2Flogs%20%C3%BC/records", target.uri().toString());
        assertEquals(Map.of("authorization", "Bearer tok"), target.headers());
        assertEquals(Map.of("s2-basin", "my-basin"), new HttpApi(defaults).target(Optional.of("my-basin"), "/v1/streams").headers());

        CliException bad = assertThrows(CliException.class, () -> Config.fromEnv(Map.of("S2_COMPRESSION", "lz4")));
        assertTrue(bad.render().startsWith("Error:   × Invalid value 'lz4' for config key 'compression'"), bad.render());
        assertThrows(CliException.class, () -> Config.fromEnv(Map.of("S2_ACCOUNT_ENDPOINT", "ftp://x")));
    }
}
