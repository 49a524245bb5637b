# Uploads go to S3. The key below is a fake made for crossgate's tests (it never existed).
AWS_ACCESS_KEY_ID = "AKIACROSSGATEFAKEKEY"
AWS_STORAGE_BUCKET_NAME = "mysite-uploads"
