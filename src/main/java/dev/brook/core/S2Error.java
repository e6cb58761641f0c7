package dev.brook.core;

/** A request that fails with one of S2's error codes and a message for the client. */
public final class S2Error extends RuntimeException {

    private final ErrorCode code;

    public S2Error(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static S2Error basinNotFound(String basin) {
        return new S2Error(ErrorCode.BASIN_NOT_FOUND, "basin `" + basin + "` not found");
    }

    public static S2Error streamNotFound(String basin, String stream) {
        return new S2Error(ErrorCode.STREAM_NOT_FOUND, "stream `" + stream + "` in basin `" + basin + "` not found");
    }

    public static S2Error basinDeletionPending(String basin) {
        return new S2Error(ErrorCode.BASIN_DELETION_PENDING, "basin `" + basin + "` is being deleted");
    }

    public static S2Error streamDeletionPending(String basin, String stream) {
        return new S2Error(ErrorCode.STREAM_DELETION_PENDING, "stream `" + stream + "` in basin `" + basin + "` is being deleted");
    }

    public static S2Error invalid(String message) {
        return new S2Error(ErrorCode.INVALID, message);
    }
}
