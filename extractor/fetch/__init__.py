"""`extract fetch`: news pages into a corpus directory that `extract run` reads.

    add_arguments(parser)  # the subcommand's options
    run(args) -> int       # 0 all fine, 1 some URLs failed, 2 usage error
"""

from extractor.fetch.cli import add_arguments, run

__all__ = ["add_arguments", "run"]
