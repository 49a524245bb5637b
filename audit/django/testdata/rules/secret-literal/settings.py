# checks: django-secret-key-hardcoded
SECRET_KEY = "k3#n9$w2!x7@q5^z8&b1*m4(r6)t0_y-u=i+o/p.a,s;d:f?g<h>j"  # want: django-secret-key-hardcoded@1
