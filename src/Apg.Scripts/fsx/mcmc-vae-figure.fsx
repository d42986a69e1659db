// mcmc-vae-figure: dotnet fsi src/Apg.Scripts/fsx/mcmc-vae-figure.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "mcmc-vae-figure"
