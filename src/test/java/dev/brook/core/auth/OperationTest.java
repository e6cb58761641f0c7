package dev.brook.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class OperationTest {

    static Stream<AuthFixtures.Row> rows() {
        return AuthFixtures.TABLE.stream();
    }

    @Test
    void theSpecTableListsEveryOperationOnce() {
        assertEquals(EnumSet.allOf(Operation.class), AuthFixtures.BY_OP.keySet());
        assertEquals(Operation.values().length, AuthFixtures.TABLE.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void wireNameGroupAccessAndTargetFollowTheSpec(AuthFixtures.Row row) {
        Operation op = row.op();
        assertEquals(row.wire(), op.wire());
        String group = op.group().name().toLowerCase() + "-" + op.access().name().toLowerCase();
        assertEquals(row.group(), group);
        assertEquals(row.target(), op.target());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void parseReadsTheWireName(AuthFixtures.Row row) {
        assertEquals(Optional.of(row.op()), Operation.parse(row.wire()));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "Append", "APPEND", "list_basins", "listBasins", " read", "read ", "ensure-basin",
            "LIST_BASINS"})
    void parseRefusesAnythingElse(String wire) {
        assertEquals(Optional.empty(), Operation.parse(wire));
    }
}
