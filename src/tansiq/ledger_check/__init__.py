"""The ledger checked against every feature's rows: the one list of what each feature records
(its ``ledger_facts`` sources), for ``tansiq ledger verify``, the back-fill migration and the
hub admins' verification route. It sits above every feature, as it reads them all."""
