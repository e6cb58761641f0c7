package dev.brook.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "append", mixinStandardHelpOptions = true)
final class AppendCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw CliException.op("append", "not implemented yet");
    }

}
