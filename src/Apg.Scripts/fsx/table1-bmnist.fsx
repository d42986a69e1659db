// table1-bmnist (bouncing MNIST, section 6.4): dotnet fsi src/Apg.Scripts/fsx/table1-bmnist.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "table1-bmnist"
