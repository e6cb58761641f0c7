package dev.brook.http.errors;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A 412 with S2's structured body ({@code seq_num_mismatch} or {@code fencing_token_mismatch}), answered by {@link Replies#of}. */
public final class PreconditionFailed extends RuntimeException {

    final ObjectNode body;

    public PreconditionFailed(ObjectNode body) {
        super(null, null, false, false);
        this.body = body;
    }
}
