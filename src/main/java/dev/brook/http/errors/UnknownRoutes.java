package dev.brook.http.errors;

import dev.brook.core.ErrorCode;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Whatever no route serves gets a 404 in S2's error format rather than the framework's page. */
@Singleton
public class UnknownRoutes {

    void install(@Observes Router router) {
        router.route().last().handler(ctx -> Replies.answer(ctx.response(),
                new dev.brook.core.S2Error(ErrorCode.NOT_FOUND, "no route for " + ctx.request().method() + " " + ctx.request().path())));
    }
}
