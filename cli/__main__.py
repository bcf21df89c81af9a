from cunzheng.cli.main import main

raise SystemExit(main())
