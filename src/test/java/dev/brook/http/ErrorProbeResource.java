package dev.brook.http;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import dev.brook.store.StoreException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** Test-only endpoints that raise each kind of failure, so the error mapping is tested through HTTP. */
@Path("/test-only/errors")
public class ErrorProbeResource {

    @GET
    @Path("{kind}")
    public String raise(@PathParam("kind") String kind) {
        switch (kind) {
            case "api" -> throw S2Error.streamNotFound("b", "s");
            case "store-transient" -> throw new StoreException(StoreException.Kind.TRANSIENT, "s3://secret-bucket: timeout");
            case "store-corrupt" -> throw new StoreException(StoreException.Kind.CORRUPT, "object `x` is damaged");
            case "bug" -> throw new IllegalStateException("a bug with internals in its message");
            default -> {
                return "fine";
            }
        }
    }

    @POST
    @Path("json")
    @Consumes(MediaType.APPLICATION_JSON)
    public String json(Map<String, Integer> body) {
        return "ok " + body;
    }
}
