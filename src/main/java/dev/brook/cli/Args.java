package dev.brook.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** picocli converters for S2's argument types, with S2's messages. */
final class Args {

    private Args() {}

    /** A basin: {@code s2://basin} or {@code basin}. */
    record Basin(String name) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final class BasinConverter implements ITypeConverter<Basin> {
        @Override
        public Basin convert(String value) {
            try {
                return new Basin(Uri.basin(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class StreamConverter implements ITypeConverter<Uri.Parsed> {
        @Override
        public Uri.Parsed convert(String value) {
            try {
                return Uri.stream(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class MaybePrefixConverter implements ITypeConverter<Uri.Parsed> {
        @Override
        public Uri.Parsed convert(String value) {
            try {
                return Uri.basinAndMaybePrefix(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class RetentionConverter implements ITypeConverter<Durations.RetentionPolicy> {
        @Override
        public Durations.RetentionPolicy convert(String value) {
            try {
                return Durations.retention(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class FormatConverter implements ITypeConverter<Formats.RecordFormat> {
        @Override
        public Formats.RecordFormat convert(String value) {
            try {
                return Formats.RecordFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** clap's booleans: {@code true} or {@code false}. */
    static final class BoolConverter implements ITypeConverter<Boolean> {
        @Override
        public Boolean convert(String value) {
            return switch (value) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new TypeConversionException("invalid value '" + value + "' (possible values: true, false)");
            };
        }
    }
}
