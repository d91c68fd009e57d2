from nexus_blast.cli.entry import main

main()
