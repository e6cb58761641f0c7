package dev.brook.http.errors;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A 416 with the stream's tail ({@code {"tail": position}}), answered by {@link Replies#of}. */
public final class RangeNotSatisfiable extends RuntimeException {

    final ObjectNode body;

    /** @param tail the tail's position as S2 writes it ({@code seq_num}, {@code timestamp}) */
    public RangeNotSatisfiable(ObjectNode tail) {
        super(null, null, false, false);
        this.body = JsonNodeFactory.instance.objectNode().set("tail", tail);
    }
}
