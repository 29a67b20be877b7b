"""``python -m rfm`` runs the command line, as the ``rfm`` script does."""

from rfm.cli import main

if __name__ == "__main__":
    main()
