package dev.brook.http.errors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Hands every exception a unary resource raises to the one mapping ({@link Replies#of}). The types
 * are listed one by one because the framework's own mappers for the narrower ones would win
 * otherwise.
 */
public final class ErrorMappers {

    public static Response response(Throwable e) {
        Replies.Error error = Replies.of(e);
        return Response.status(error.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(error.json()).build();
    }

    @ServerExceptionMapper({JacksonException.class, JsonParseException.class, MismatchedInputException.class,
            JsonMappingException.class})
    public Response json(JacksonException e) {
        return response(e);
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        return response(e);
    }

    @ServerExceptionMapper
    public Response any(Throwable e) {
        return response(e);
    }
}
