// mcmc-vae-table: dotnet fsi src/Apg.Scripts/fsx/mcmc-vae-table.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "mcmc-vae-table"
