"""Photo storage behind one small interface: local files, or S3 via boto3."""
