package dev.brook.store;

import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The AWS SDK's default chains (profile files, container and instance roles), for a deployment that
 * puts no keys or region in its environment. The only class that touches the SDK, so its classes load
 * only then (docs/DECISIONS.md 37: a start with keys in the environment loads none of them).
 */
final class AwsDefaultChain {

    private AwsDefaultChain() {}

    /** Credentials the SDK refreshes in the background before they expire, so a request never waits for it. */
    static Supplier<S3ObjectStore.Credentials> credentials() {
        DefaultCredentialsProvider provider = DefaultCredentialsProvider.builder().asyncCredentialUpdateEnabled(true).build();
        return () -> {
            try {
                AwsCredentials c = provider.resolveCredentials();
                String token = c instanceof AwsSessionCredentials s ? s.sessionToken() : null;
                return new S3ObjectStore.Credentials(c.accessKeyId(), c.secretAccessKey(), token);
            } catch (SdkClientException e) {
                throw new StoreException(StoreException.Kind.FATAL, "no AWS credentials: set AWS_ACCESS_KEY_ID and "
                        + "AWS_SECRET_ACCESS_KEY, or give the process a profile or role (" + e.getMessage() + ")", e);
            }
        };
    }

    static Optional<String> region() {
        try {
            return Optional.of(new DefaultAwsRegionProviderChain().getRegion().id());
        } catch (SdkClientException e) {
            return Optional.empty();
        }
    }
}
