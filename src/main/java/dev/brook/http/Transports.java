package dev.brook.http;

import io.vertx.core.http.HttpServerRequest;

/**
 * How a request on a route travels (docs/ARCHITECTURE.md, Functions): an S2S session
 * ({@code Content-Type: s2s/proto}), an SSE read session ({@code Accept: text/event-stream}), a
 * long-poll read ({@code wait} above 0), or a unary request. The precedence is the sessions':
 * S2S first, then SSE.
 */
final class Transports {

    private Transports() {}

    static Route.Transport of(Route route, HttpServerRequest request) {
        return of(route, request.getHeader("content-type"), request.getHeader("accept"), request.getParam("wait"));
    }

    static Route.Transport of(Route route, String contentType, String accept, String wait) {
        return switch (route) {
            case READ -> MediaTypes.isS2s(contentType) ? Route.Transport.S2S
                    : MediaTypes.isEventStream(accept) ? Route.Transport.SSE
                    : waits(wait) ? Route.Transport.LONG_POLL : Route.Transport.UNARY;
            case APPEND -> MediaTypes.isS2s(contentType) ? Route.Transport.S2S : Route.Transport.UNARY;
            default -> Route.Transport.UNARY;
        };
    }

    /** A {@code wait} that parses as a positive number: anything else is unary (and the resource judges it). */
    private static boolean waits(String wait) {
        if (wait == null) {
            return false;
        }
        String w = wait.trim();
        if (w.isEmpty() || w.length() > 20) {
            return false;
        }
        for (int i = 0; i < w.length(); i++) {
            if (!Character.isDigit(w.charAt(i))) {
                return false;
            }
        }
        return w.chars().anyMatch(c -> c != '0');
    }
}
