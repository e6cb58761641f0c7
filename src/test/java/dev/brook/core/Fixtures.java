package dev.brook.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Small builders for records, batches and states, so each test reads as its table. */
final class Fixtures {

    private Fixtures() {}

    static final long NOW = 1_000;

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static Header header(String name, String value) {
        return new Header(utf8(name), utf8(value));
    }

    static AppendRecord rec(String body) {
        return new AppendRecord(OptionalLong.empty(), List.of(), utf8(body));
    }

    static AppendRecord recAt(long ts, String body) {
        return new AppendRecord(OptionalLong.of(ts), List.of(), utf8(body));
    }

    static AppendRecord withHeaders(byte[] body, Header... headers) {
        return new AppendRecord(OptionalLong.empty(), List.of(headers), body);
    }

    static AppendRecord command(String name, byte[] body) {
        return withHeaders(body, header("", name));
    }

    static AppendRecord fence(String token) {
        return command("fence", utf8(token));
    }

    static AppendRecord trim(long point) {
        return command("trim", ByteBuffer.allocate(8).putLong(point).array());
    }

    /** A record with no headers whose metered size is exactly {@code size} (8 bytes of overhead). */
    static AppendRecord ofMeteredSize(long size) {
        return new AppendRecord(OptionalLong.empty(), List.of(), new byte[Math.toIntExact(size - 8)]);
    }

    static List<AppendRecord> copies(int n, AppendRecord r) {
        AppendRecord[] rs = new AppendRecord[n];
        Arrays.fill(rs, r);
        return List.of(rs);
    }

    static AppendBatch batch(AppendRecord... records) {
        return batch(List.of(records));
    }

    static AppendBatch batch(List<AppendRecord> records) {
        return new AppendBatch(records, OptionalLong.empty(), Optional.empty(), NOW);
    }

    static AppendBatch withToken(AppendBatch b, String token) {
        return new AppendBatch(b.records(), b.matchSeqNum(), Optional.of(token), b.arrivalMs());
    }

    static AppendBatch withMatch(AppendBatch b, long matchSeqNum) {
        return new AppendBatch(b.records(), OptionalLong.of(matchSeqNum), b.fencingToken(), b.arrivalMs());
    }

    static AppendBatch arrivingAt(AppendBatch b, long arrivalMs) {
        return new AppendBatch(b.records(), b.matchSeqNum(), b.fencingToken(), arrivalMs);
    }

    static StreamState fresh() {
        return StreamState.empty(7, Timestamping.DEFAULT);
    }

    static StreamState fresh(Timestamping timestamping) {
        return StreamState.empty(7, timestamping);
    }

    static StreamState at(long nextSeq, long lastTimestamp, long trimPoint) {
        return new StreamState(nextSeq, lastTimestamp, "", trimPoint, 7, Timestamping.DEFAULT, false);
    }
}
