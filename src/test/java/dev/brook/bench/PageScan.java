package dev.brook.bench;

/**
 * A protobuf ReadBatch scanned for what a catch-up checks, each record's sequence number and metered
 * size, without building records or copying bodies: the benchmark's unary catch-up decoded every page
 * into records on the same two cores as the Brook it measured, and measured its own decoding (a
 * warm Brook served the same pages to `curl` twice as fast). Field numbers as in S2's protobuf
 * (spec §8): ReadBatch.records 1, SequencedRecord seq_num 1, timestamp 2, headers 3, body 4, Header
 * name 1 and value 2.
 */
final class PageScan {

    long records;
    long meteredBytes;
    long firstSeq = -1;
    long lastSeq = -1;
    /** Whether every record's sequence number followed the one before it. */
    boolean consecutive = true;

    private final byte[] b;
    private int at;

    private PageScan(byte[] b) {
        this.b = b;
    }

    static PageScan of(byte[] page) {
        PageScan s = new PageScan(page);
        s.batch();
        return s;
    }

    private void batch() {
        while (at < b.length) {
            long tag = varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 2) {
                int len = (int) varint();
                record(at, at + len);
                at += len;
            } else {
                skip(wire);
            }
        }
    }

    private void record(int from, int to) {
        int saved = at;
        at = from;
        long seq = 0;
        long metered = 8;
        while (at < to) {
            long tag = varint();
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (field == 1 && wire == 0) {
                seq = varint();
            } else if (field == 3 && wire == 2) {
                int len = (int) varint();
                metered += 2 + header(at, at + len);
                at += len;
            } else if (field == 4 && wire == 2) {
                int len = (int) varint();
                metered += len;
                at += len;
            } else {
                skip(wire);
            }
        }
        if (records > 0 && seq != lastSeq + 1) {
            consecutive = false;
        }
        if (records == 0) {
            firstSeq = seq;
        }
        lastSeq = seq;
        records++;
        meteredBytes += metered;
        at = saved;
    }

    /** A Header's name and value bytes. */
    private long header(int from, int to) {
        int saved = at;
        at = from;
        long bytes = 0;
        while (at < to) {
            long tag = varint();
            int wire = (int) (tag & 7);
            if (wire == 2) {
                int len = (int) varint();
                bytes += len;
                at += len;
            } else {
                skip(wire);
            }
        }
        at = saved;
        return bytes;
    }

    private void skip(int wire) {
        switch (wire) {
            case 0 -> varint();
            case 1 -> at += 8;
            case 2 -> at += (int) varint();
            case 5 -> at += 4;
            default -> throw new IllegalStateException("wire type " + wire + " at " + at);
        }
    }

    private long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[at++];
            v |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 10 bytes at " + at);
    }
}
