package dev.brook.core;

import java.util.List;

/** Arithmetic on records shared by appended and sequenced ones. */
public final class Records {

    private Records() {}

    /** spec §5.3: {@code 8 + 2 * headers + Σ(name + value) + body}, all in bytes. */
    public static long meteredBytes(List<Header> headers, byte[] body) {
        long size = 8 + 2L * headers.size() + body.length;
        for (Header h : headers) {
            size += h.name().length + h.value().length;
        }
        return size;
    }
}
