from microcred_verifier.main import main

main()
