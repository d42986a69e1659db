// iai-apg: dotnet fsi src/Apg.Scripts/fsx/iai-apg.fsx [smoke|cpu|paper]
#load "Load.fsx"
Load.runTarget "iai-apg"
