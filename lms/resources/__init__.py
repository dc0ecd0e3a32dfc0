"""Resources: uploaded files and links, storage, content sniffing, thumbnails, download."""
