module theanogo

go 1.26
