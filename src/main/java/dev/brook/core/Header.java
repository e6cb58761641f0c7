package dev.brook.core;

import java.util.Arrays;

/** One record header: a name and a value, both bytes. Duplicates and order are kept. */
public record Header(byte[] name, byte[] value) {

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && Arrays.equals(name, h.name) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(name) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Header[" + name.length + "B=" + value.length + "B]";
    }
}
