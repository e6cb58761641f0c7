package dev.brook.core;

/** Every limit of the S2 API that Brook enforces (spec §2, §5.4), each with its unit last. */
public final class Limits {

    private Limits() {}

    public static final int BATCH_RECORDS_MAX = 1000;
    public static final long RECORD_METERED_BYTES_MAX = 1 << 20;
    public static final long BATCH_METERED_BYTES_MAX = 1 << 20;
    public static final int FENCING_TOKEN_BYTES_MAX = 36;
    public static final int TRIM_COMMAND_BODY_BYTES = 8;
    /**
     * The highest sequence number S2 assigns to a record encrypted with aes-256-gcm (its random 96-bit
     * nonces; commands, plaintext and aegis-256 records have no such limit).
     */
    public static final long AES_256_GCM_SEQ_NUM_MAX = (1L << 32) - 1;

    public static final int READ_RECORDS_MAX = 1000;
    public static final long READ_METERED_BYTES_MAX = 1 << 20;
    public static final long UNARY_READ_WAIT_MS_MAX = 60_000;

    public static final int BASIN_NAME_BYTES_MIN = 8;
    public static final int BASIN_NAME_BYTES_MAX = 48;
    public static final int STREAM_NAME_BYTES_MIN = 1;
    public static final int STREAM_NAME_BYTES_MAX = 512;
    public static final int REQUEST_TOKEN_BYTES_MAX = 36;
    public static final int ACCESS_TOKEN_ID_BYTES_MAX = 96;
    public static final int LIST_LIMIT_MAX = 1000;
}
