package dev.brook.core;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/** A record as a client sends it: an optional client timestamp (ms, or opaque), headers and a body. */
public record AppendRecord(OptionalLong timestamp, List<Header> headers, byte[] body) {

    public AppendRecord {
        headers = List.copyOf(headers);
    }

    /** S2's metered size (spec §5.3): 8 + 2 per header + header name and value bytes + body bytes. */
    public long meteredBytes() {
        return Records.meteredBytes(headers, body);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppendRecord r && timestamp.equals(r.timestamp) && headers.equals(r.headers) && Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return (timestamp.hashCode() * 31 + headers.hashCode()) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "AppendRecord[ts=" + timestamp + ", headers=" + headers.size() + ", body=" + body.length + "B]";
    }
}
