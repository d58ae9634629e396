package dev.edgeplane.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code edgeplane} command line: the server and the tools that go with it.
 */
@Command(
    name = "edgeplane",
    mixinStandardHelpOptions = true,
    version = "edgeplane 0.1.0",
    description = "Control-plane edge server for real-time voice and streaming.",
    subcommands = {ServeCommand.class, ConfigCommand.class, SipSimCommand.class, LoadCommand.class, ReferenceServerCommand.class,
        RelayClientCommand.class, ServicesCommand.class, EnvCommand.class, TlsCheckCommand.class,
        ChannelBenchCommand.class, CommandLine.HelpCommand.class})
public final class EdgeplaneCommand implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(System.out);
    }

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new EdgeplaneCommand()).execute(args));
    }
}
