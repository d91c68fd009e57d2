from nexus_blast.cli.app import main

main()
