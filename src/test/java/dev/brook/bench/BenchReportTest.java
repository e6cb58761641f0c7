package dev.brook.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The benchmark's pure parts: the RESP codec, /proc parsing, percentile curves, timelines, tagged batches, the matrix's verdicts. */
class BenchReportTest {

    static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void respCommandIsAnArrayOfBulkStrings() {
        assertEquals("*3\r\n$4\r\nXADD\r\n$1\r\nk\r\n$1\r\n*\r\n", new String(Resp.command("XADD", "k", "*"), StandardCharsets.UTF_8));
        assertEquals("*1\r\n$0\r\n\r\n", new String(Resp.command(new byte[0]), StandardCharsets.UTF_8));
    }

    @Test
    void respRepliesOfEveryType() throws Exception {
        assertEquals("OK", Resp.read(bytes("+OK\r\n")));
        assertEquals(42L, Resp.read(bytes(":42\r\n")));
        assertEquals("1-0\r\nx", Resp.read(bytes("$6\r\n1-0\r\nx\r\n")));
        assertNull(Resp.read(bytes("$-1\r\n")));
        assertEquals(List.of("a", 1L, List.of("b")), Resp.read(bytes("*3\r\n$1\r\na\r\n:1\r\n*1\r\n+b\r\n")));
        Resp.ErrorReply e = assertThrows(Resp.ErrorReply.class, () -> Resp.read(bytes("-ERR wrong type\r\n")));
        assertEquals("ERR wrong type", e.getMessage());
        assertThrows(EOFException.class, () -> Resp.read(bytes("$5\r\nab")));
        assertThrows(EOFException.class, () -> Resp.read(bytes("")));
    }

    @Test
    void pipelinedRepliesAreReadOneAtATime() throws Exception {
        InputStream in = bytes("$3\r\n1-0\r\n$3\r\n1-1\r\n");
        assertEquals("1-0", Resp.read(in));
        assertEquals("1-1", Resp.read(in));
    }

    @Test
    void procStatCpuIsUserPlusSystemTicks() {
        // The command name may hold spaces and parentheses: fields count from the last ')'.
        String stat = "4242 (java (a) b) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 8 20 0 40 0 123 0 0";
        assertEquals(3.0, ProcessCpu.secondsFromStat(stat, 100), 1e-9);
        assertEquals(0.3, ProcessCpu.secondsFromStat(stat, 1000), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.secondsFromStat("no name here", 100));
    }

    @Test
    void percentileCurveHitsTheDecades() {
        long[] sorted = new long[1000];
        for (int i = 0; i < sorted.length; i++) {
            sorted[i] = TimeUnit.MILLISECONDS.toNanos(i + 1);
        }
        double[][] c = Plots.percentileCurve(sorted, 20);
        assertEquals(1.0, c[0][0]);
        assertEquals(1.0, c[1][0]); // the minimum
        assertEquals(900.0, c[1][20]); // x = 10: p90
        assertEquals(10.0, c[0][20], 1e-9);
        assertEquals(990.0, c[1][40]); // x = 100: p99
        assertEquals(1000.0, c[0][c[0].length - 1], 1e-9);
        assertEquals(1000.0, c[1][c[1].length - 1]); // the maximum
        for (int i = 1; i < c[0].length; i++) {
            assertTrue(c[0][i] > c[0][i - 1] && c[1][i] >= c[1][i - 1], "the curve rises at point " + i);
        }
        double[][] one = Plots.percentileCurve(new long[]{5_000_000}, 20);
        assertArrayEquals(new double[]{1.0}, one[0]);
        assertArrayEquals(new double[]{5.0}, one[1]);
    }

    @Test
    void timelineCountsWholePlannedSeconds() {
        long s = TimeUnit.SECONDS.toNanos(1);
        Timeline t = new Timeline(1_000, 3);
        t.add(1_000 + s / 2, 10);
        t.add(1_000 + s + s / 5, 20);
        t.add(1_000 + 3 * s + s / 2, 5); // after the planned seconds: a partial second, left out
        assertArrayEquals(new long[]{10, 20}, t.perSecond());
        t.add(1_000 + 2 * s, 7);
        assertArrayEquals(new long[]{10, 20, 7}, t.perSecond());
        assertArrayEquals(new long[0], new Timeline(0, 3).perSecond());
    }

    @Test
    void taggedBatchCarriesItsSendTimeInEveryBody() throws Exception {
        Bench.TaggedBatch batch = new Bench.TaggedBatch(3, 1024);
        JsonNode records = Bench.JSON.readTree(batch.at(1234567890123L)).get("records");
        assertEquals(3, records.size());
        for (JsonNode r : records) {
            byte[] body = r.get("body").asText().getBytes(StandardCharsets.US_ASCII);
            assertEquals(1024, body.length);
            assertEquals(1234567890123L, Bench.sentAt(body));
        }
        assertEquals(42L, Bench.sentAt(Bench.JSON.readTree(batch.at(42)).get("records").get(2).get("body").asText()
                .getBytes(StandardCharsets.US_ASCII)));
    }

    static Bench.Measured measured(double recordsPerSecond, double p50Ms) {
        long[] ack = {TimeUnit.MICROSECONDS.toNanos((long) (p50Ms * 1000))};
        return new Bench.Measured("x", "store", (long) recordsPerSecond * 10, 1024, TimeUnit.SECONDS.toNanos(10), ack, new long[0],
                new Timeline(0, 10));
    }

    @Test
    void matrixVerdictsFollowTheTargets() {
        List<WriterMatrix.Cell> cells = WriterMatrix.CELLS;
        assertTrue(WriterMatrix.compare(cells.get(0), measured(500, 0.8), measured(3000, 0.3)).endsWith("target Brook ack p50 <= 1.0 ms: met"));
        assertTrue(WriterMatrix.compare(cells.get(0), measured(500, 1.7), null).endsWith(": missed"));
        String eightByOne = WriterMatrix.compare(cells.get(1), measured(600, 5), measured(1000, 1));
        assertTrue(eightByOne.contains("= 0.60 x") && eightByOne.endsWith("target >= 0.5 x Redis: met"), eightByOne);
        assertTrue(WriterMatrix.compare(cells.get(1), measured(600, 5), null).endsWith("n/a (no Redis)"));
        assertTrue(WriterMatrix.compare(cells.get(2), measured(600, 5), measured(1000, 1)).endsWith("target none: -"));
        assertTrue(WriterMatrix.compare(cells.get(3), measured(900, 5), measured(1000, 1)).endsWith("target >= 1.0 x Redis: missed"));
    }
}
