package dev.brook.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "read", mixinStandardHelpOptions = true)
final class ReadCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw CliException.op("read", "not implemented yet");
    }

    @Command(name = "tail", mixinStandardHelpOptions = true)
    static final class Tail implements Callable<Integer> {
        @Override
        public Integer call() {
            throw CliException.op("tail", "not implemented yet");
        }
    }
}
