package dev.brook.core;

import java.util.Arrays;
import java.util.List;

/** A record as stored and read: its sequence number and timestamp assigned, headers and body as sent. */
public record SequencedRecord(long seqNum, long timestamp, List<Header> headers, byte[] body) {

    public SequencedRecord {
        headers = List.copyOf(headers);
    }

    public long meteredBytes() {
        return Records.meteredBytes(headers, body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequencedRecord r && seqNum == r.seqNum && timestamp == r.timestamp && headers.equals(r.headers)
                && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(seqNum) * 31 + Long.hashCode(timestamp)) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "SequencedRecord[" + seqNum + "@" + timestamp + ", headers=" + headers.size() + ", body=" + body.length + "B]";
    }
}
