package dev.brook.http.wire;

import java.util.Locale;

/** Content negotiation as S2 does it (spec §1.5): only the first media type of a header counts. */
public final class MediaTypes {

    private MediaTypes() {}

    /** The first media type's essence ({@code type/subtype}, lower case), or empty. */
    public static String first(String header) {
        if (header == null) {
            return "";
        }
        String first = header.split(",", 2)[0];
        int semicolon = first.indexOf(';');
        return (semicolon >= 0 ? first.substring(0, semicolon) : first).trim().toLowerCase(Locale.ROOT);
    }

    public static boolean isJson(String header) {
        String t = first(header);
        return t.equals("application/json") || (t.startsWith("application/") && t.endsWith("+json"));
    }

    public static boolean isProtobuf(String header) {
        String t = first(header);
        return t.equals("application/protobuf") || t.equals("application/x-protobuf");
    }

    public static boolean isEventStream(String header) {
        return first(header).equals("text/event-stream");
    }

    public static boolean isS2s(String header) {
        return first(header).equals("s2s/proto");
    }
}
