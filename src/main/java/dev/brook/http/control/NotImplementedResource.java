package dev.brook.http.control;

import dev.brook.core.ErrorCode;
import dev.brook.core.S2Error;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

/**
 * What S2 Lite answers 501 for (spec §3.5-§3.6, §10): metrics and locations.
 */
@Path("/v1")
@IfBuildProperty(name = "brook.serve.control", stringValue = "true", enableIfMissing = true)
public class NotImplementedResource {

    private static S2Error notImplemented() {
        return new S2Error(ErrorCode.NOT_IMPLEMENTED, "Not implemented");
    }

    @GET
    @Path("metrics")
    public void accountMetrics() {
        throw notImplemented();
    }

    @GET
    @Path("metrics/{basin}")
    public void basinMetrics() {
        throw notImplemented();
    }

    @GET
    @Path("metrics/{basin}/{stream}")
    public void streamMetrics() {
        throw notImplemented();
    }

    @GET
    @Path("locations")
    public void locations() {
        throw notImplemented();
    }

    @GET
    @Path("locations/default")
    public void defaultLocation() {
        throw notImplemented();
    }

    @PUT
    @Path("locations/default")
    public void setDefaultLocation() {
        throw notImplemented();
    }
}
