package dev.brook.core;

/**
 * Everything an append is decided against, as it stands after a commit: the next sequence number
 * (the tail), the last timestamp, the fencing token, the trim point, and the settings that change
 * decisions (with the configuration version they came from). A sealed stream accepts nothing.
 */
public record StreamState(long nextSeq, long lastTimestamp, String fencingToken, long trimPoint,
                          long configVersion, Timestamping timestamping, boolean sealed) {

    public StreamState {
        if (nextSeq < 0 || trimPoint < 0 || trimPoint > nextSeq) {
            throw new IllegalArgumentException("impossible stream state: next " + nextSeq + ", trim point " + trimPoint);
        }
        if (fencingToken == null || timestamping == null) {
            throw new IllegalArgumentException("a stream state names its fencing token and timestamping");
        }
    }

    /** A stream nobody has appended to. */
    public static StreamState empty(long configVersion, Timestamping timestamping) {
        return new StreamState(0, 0, "", 0, configVersion, timestamping, false);
    }
}
